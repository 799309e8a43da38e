// title: the tab's title. Pages set what they show; the conversation list
// sets how many messages are unread, which leads the title as "(3) ..." so
// that a tab in the background tells the user something arrived.

let base = "Cruddur";
let unread = 0;

function draw() {
  document.title = unread > 0 ? `(${unread}) ${base}` : base;
}

/** The page's own title. */
export function setTitle(text) {
  base = text;
  draw();
}

/** The number of unread messages (0: none shown). */
export function setUnread(count) {
  unread = count;
  draw();
}
