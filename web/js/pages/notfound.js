// notfound: the in-app page for a location no route knows.
import { h, replace } from "../dom.js";
import { setTitle } from "../title.js";

export async function notFoundPage(ctx) {
  setTitle("Page not found · Cruddur");
  replace(ctx.main,
    h("section", { class: "page-message" },
      h("h1", {}, "Page not found"),
      h("p", {}, "There is nothing at this address."),
      h("p", {}, h("a", { class: "button", href: "/messages" }, "Go to your messages"))));
  ctx.main.focus();
}
