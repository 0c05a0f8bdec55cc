const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageLink {
  href: string;
  label: string;
}

/**
 * The page a browser lands on when a sign-in cannot finish: what happened, in words, and
 * where to go next. No script and no inline style (the console's CSP allows neither).
 */
export function errorPage(title: string, message: string, links: PageLink[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Cairn</title>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
<p role="alert">${escape(message)}</p>
<ul>
${links.map((l) => `<li><a href="${escape(l.href)}">${escape(l.label)}</a></li>`).join('\n')}
</ul>
</main>
</body>
</html>
`;
}
