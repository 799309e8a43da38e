/*
 * tools: the operator commands of spec section 6 (the reference's
 * backend-flask/bin scripts) as subcommands of `cruddur`:
 *
 *   cruddur ddb ...      the messages table: schema-load, drop, list-tables,
 *                        describe-table, scan, seed, setup, reset, patterns
 *   cruddur db ...       the users directory: schema-load, seed, setup, reset,
 *                        update-cognito-user-ids
 *
 * Only `reset` and `drop` delete, and only once confirmed (tools_confirm);
 * setup creates what the store lacks and seeds only what is empty.
 *   cruddur cognito ...  Amazon Cognito: list-users
 *
 * Each entry point takes the command's own argv (argv[0] is "ddb", "db" or
 * "cognito"), parses its options, prints to stdout (results) and stderr
 * (one-line reasons for failure) and returns the process exit code: 0 on
 * success, 1 when the work failed, 2 for a usage error.
 */
#ifndef CRUDDUR_TOOLS_TOOLS_H
#define CRUDDUR_TOOLS_TOOLS_H

int tools_ddb_main(int argc, char **argv);
int tools_db_main(int argc, char **argv);
int tools_cognito_main(int argc, char **argv);

#endif
