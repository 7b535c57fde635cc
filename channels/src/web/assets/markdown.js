// Markdown for the web chat: the subset models write in answers
// (paragraphs, headings, lists, pipe tables, fenced code, **bold**,
// *italics*, `code` and [links](url)) as DOM nodes.
//
// Everything is built from elements and text nodes, so nothing in an answer
// is parsed as HTML, and links lead only to http(s) addresses or this
// server's own paths. Loaded before chat.js, which uses
// `window.OdooAgentMarkdown.render`.
'use strict';

window.OdooAgentMarkdown = (() => {
  const FENCE = /^\s*```/;
  const HEADING = /^(#{1,6})\s+(.*)$/;
  const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;
  const TABLE_ROW = /^\s*\|.*\|\s*$/;
  const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
  const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))|(\*[^*\s][^*]*\*)/g;
  const LINK = /^\[([^\]]+)\]\(([^)\s]+)\)$/;

  /** An element with `children` (nodes, or strings inserted as text). */
  function el(tag, ...children) {
    const node = document.createElement(tag);
    node.append(...children);
    return node;
  }

  function startsTable(lines, i) {
    return TABLE_ROW.test(lines[i]) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]);
  }

  function startsBlock(lines, i) {
    return FENCE.test(lines[i]) || HEADING.test(lines[i]) || LIST_ITEM.test(lines[i])
      || startsTable(lines, i);
  }

  function cells(row) {
    return row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
  }

  /**
   * `source` as a fragment of block elements. `apiLink(path, label)` makes
   * the node for a link to this server's /api, which needs the API key a
   * plain link cannot send.
   */
  function render(source, apiLink) {
    const inline = (text) => inlineNodes(text, apiLink);
    const fragment = document.createDocumentFragment();
    const lines = source.replace(/\r\n?/g, '\n').split('\n');
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (line.trim() === '') {
        i += 1;
      } else if (FENCE.test(line)) {
        const code = [];
        for (i += 1; i < lines.length && !FENCE.test(lines[i]); i += 1) code.push(lines[i]);
        i += 1; // the closing fence
        fragment.append(el('pre', el('code', code.join('\n'))));
      } else if (HEADING.test(line)) {
        const [, level, text] = HEADING.exec(line);
        // The page's own headings use h1 and h2.
        fragment.append(el(`h${Math.min(level.length + 2, 6)}`, ...inline(text)));
        i += 1;
      } else if (startsTable(lines, i)) {
        const header = cells(line);
        const rows = [];
        for (i += 2; i < lines.length && TABLE_ROW.test(lines[i]); i += 1) rows.push(cells(lines[i]));
        const table = el('table',
          el('thead', el('tr', ...header.map((cell) => el('th', ...inline(cell))))),
          el('tbody', ...rows.map((row) => el('tr', ...row.map((cell) => el('td', ...inline(cell)))))));
        table.className = 'md-table';
        fragment.append(table);
      } else if (LIST_ITEM.test(line)) {
        const ordered = /\d/.test(LIST_ITEM.exec(line)[1]);
        const list = el(ordered ? 'ol' : 'ul');
        for (; i < lines.length; i += 1) {
          const item = LIST_ITEM.exec(lines[i]);
          if (!item || /\d/.test(item[1]) !== ordered) break;
          list.append(el('li', ...inline(item[2])));
        }
        fragment.append(list);
      } else {
        // Lines up to a blank one or another block, kept as lines.
        const paragraph = el('p', ...inline(line));
        for (i += 1; i < lines.length && lines[i].trim() !== '' && !startsBlock(lines, i); i += 1) {
          paragraph.append(el('br'), ...inline(lines[i]));
        }
        fragment.append(paragraph);
      }
    }
    return fragment;
  }

  /** `text` with its inline marks, as nodes. */
  function inlineNodes(text, apiLink) {
    const nodes = [];
    let at = 0;
    for (const match of text.matchAll(INLINE)) {
      if (match.index > at) nodes.push(text.slice(at, match.index));
      const [token, code, bold, link] = match;
      if (code) nodes.push(el('code', code.slice(1, -1)));
      else if (bold) nodes.push(el('strong', bold.slice(2, -2)));
      else if (link) nodes.push(linkTo(link, apiLink));
      else nodes.push(el('em', token.slice(1, -1)));
      at = match.index + token.length;
    }
    if (at < text.length) nodes.push(text.slice(at));
    return nodes;
  }

  /** A `[label](url)` as a link when the address is safe, else its label. */
  function linkTo(token, apiLink) {
    const [, label, url] = LINK.exec(token);
    if (url.startsWith('/api/')) return apiLink(url, label);
    if (/^https?:\/\//i.test(url) || (url.startsWith('/') && !url.startsWith('//'))) {
      const link = el('a', label);
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      return link;
    }
    return label;
  }

  return { render };
})();
