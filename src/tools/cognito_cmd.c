/*
 * cognito_cmd: `cruddur cognito`, the user pool seen from the operator's
 * side. list-users prints every user of AWS_COGNITO_USER_POOL_ID (all
 * pages, where the reference read one) with the three values the rest of
 * the tools care about: username, preferred_username and sub.
 */
#include "tools/tools.h"
#include "tools/tools_int.h"

#include <stdio.h>
#include <string.h>

/* A string member or "-" for tables. */
static const char *cell(const json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? s : "-";
}

/* Widest value of a column, at least the header's width. */
static int column_width(const json_t *users, const char *name)
{
    size_t w = strlen(name), i;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        if (strlen(cell(u, name)) > w) w = strlen(cell(u, name));
    }
    return (int)w;
}

static int cmd_list_users(const tools_opts *o)
{
    tools_cognito c;
    char why[512];
    if (!tools_cognito_from_env(&c, why, sizeof why)) return tools_fail(o, "%s", why);
    json_t *users = tools_cognito_list_users(&c, o->limit, why, sizeof why);
    tools_cognito_free(&c);
    if (!users) return tools_fail(o, "%s", why);
    if (o->json) {
        tools_print_json(users);
    } else {
        int wu = column_width(users, "username");
        int wp = column_width(users, "preferred_username");
        printf("%-*s  %-*s  %s\n", wu, "username", wp, "preferred_username", "sub");
        size_t i;
        json_t *u;
        json_array_foreach(users, i, u)
        {
            printf("%-*s  %-*s  %s\n", wu, cell(u, "username"), wp, cell(u, "preferred_username"),
                   cell(u, "sub"));
        }
    }
    json_decref(users);
    return 0;
}

static const tools_cmd cognito_cmds[] = {
    {"list-users", "[--json] [--limit N]",
     "every user of the Cognito user pool: username, preferred_username, sub",
     "Reads every page of Cognito's ListUsers. Environment:\n"
     "  AWS_COGNITO_USER_POOL_ID                    the pool (required)\n"
     "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY    credentials (required);\n"
     "  AWS_SESSION_TOKEN                           with temporary credentials\n"
     "  AWS_REGION / AWS_DEFAULT_REGION             default: the pool id's prefix\n"
     "  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER  e.g. cognito-local's URL\n",
     TOOLS_OPT_JSON | TOOLS_OPT_LIMIT, 0, 0, cmd_list_users, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL},
};

int tools_cognito_main(int argc, char **argv)
{
    return tools_dispatch("cruddur cognito", cognito_cmds, argc, argv);
}
