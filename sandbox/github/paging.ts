import type { Context } from "hono";

/** One page of `items` by `page` and `per_page` (at most 100), with GitHub's `Link` header for next/last/prev/first. */
export function paginate<T>(c: Context, items: T[], defaultPerPage = 30): T[] {
  const perPage = Math.min(
    100,
    Math.max(1, Number(c.req.query("per_page") ?? defaultPerPage) || defaultPerPage),
  );
  const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const url = new URL(c.req.url);
  const link = (p: number, rel: string) => {
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(p));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, "prev"), link(1, "first")] : []),
    ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
  ];
  if (links.length > 0) c.header("link", links.join(", "));
  return items.slice((page - 1) * perPage, page * perPage);
}
