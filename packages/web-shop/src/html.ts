/** Server-side HTML: every value is escaped where it is placed, and every page shares one frame. */

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text or attribute value made inert. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** Markup already escaped by its builder, so `page` does not escape it twice. */
export interface Html {
  readonly html: string;
}

/** Tagged template: interpolated strings are escaped, Html values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return { html: out };
}

function render(v: unknown): string {
  if (v === undefined || v === null || v === false) return "";
  if (Array.isArray(v)) return v.map(render).join("");
  if (typeof v === "object" && "html" in v) return String((v as Html).html);
  return escapeHtml(String(v));
}

const style = `
body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #1d3557; color: #fff; padding: 0.8em 1.5em; display: flex; justify-content: space-between; }
header a { color: #fff; }
main { max-width: 46em; margin: 1.5em auto; padding: 0 1em; }
.product { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.8em 1em; margin: 0.8em 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { border-bottom: 1px solid #ddd; padding: 0.4em; text-align: left; }
.state { font-weight: bold; }
.note { color: #555; }
.terms { color: #1d3557; font-style: italic; }
button { font-size: 1em; padding: 0.3em 0.9em; }
`;

/** A whole page: the shop's header with the cart link, a title and the body. */
export function page(title: string, body: Html, cartCount = 0): string {
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><title>${title} - SET Lab shop</title><style>${{ html: style }}</style></head>
<body><header><a href="/">SET Lab shop</a><a href="/cart" id="cart-link">Cart (${cartCount})</a></header>
<main><h1>${title}</h1>${body}</main></body></html>`.html
  }\n`;
}
