// notfound: the in-app page for a location no route knows.
import { h, replace } from "../dom.js";

export async function notFoundPage(ctx) {
  document.title = "Page not found · Cruddur";
  replace(ctx.main,
    h("section", { class: "page-message" },
      h("h1", {}, "Page not found"),
      h("p", {}, "There is nothing at this address."),
      h("p", {}, h("a", { class: "button", href: "/messages" }, "Go to your messages"))));
  ctx.main.focus();
}
