// The web chat: one conversation with the agent over the HTTP API.
//
// A question is posted to /api/chat with `Accept: text/event-stream`; the
// answer is drawn as its events arrive (text, tool activity, files,
// proposals). Follow-ups send the thread id back. Proposals are decided
// through /api/proposals/{id}/approve and /reject.
//
// Everything the model or Odoo wrote is inserted as text (textContent,
// text nodes), never parsed as HTML. The page's Content-Security-Policy
// allows only this script.
'use strict';

(() => {
  /** sessionStorage item holding the API key: this tab only, gone when closed. */
  const KEY_ITEM = 'odoo-agent.api-key';
  /** sessionStorage item holding the conversation, so a reload continues it. */
  const THREAD_ITEM = 'odoo-agent.thread';

  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const ask = $('ask');
  const message = $('message');
  const send = $('send');
  const login = $('login');
  const keyInput = $('key');
  const loginError = $('login-error');
  const signOut = $('sign-out');

  /** `key` when the server has an API key, `open` on a keyless loopback server. */
  const authMode = document.body.dataset.auth;

  let threadId = null;
  let busy = false;

  function setThread(id) {
    threadId = id;
    if (id) sessionStorage.setItem(THREAD_ITEM, id);
    else sessionStorage.removeItem(THREAD_ITEM);
  }

  /** Raised when the server refused the key; the sign-in form is showing. */
  class Unauthorized extends Error {}

  // ---- elements ---------------------------------------------------------

  /**
   * A new element. `props.text` becomes its text; `class` its class; `role`
   * and keys starting with `data-` or `aria-` are attributes, the rest
   * properties. Children are nodes or strings (inserted as text).
   */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      const attribute = name === 'role' || name.startsWith('data-') || name.startsWith('aria-');
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (attribute) node.setAttribute(name, value);
      else node[name] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** An Odoo value as text: `false` is empty, a many2one `[id, name]` its name. */
  function showValue(value) {
    if (value === null || value === undefined) return '(not recorded)';
    if (value === false) return '(empty)';
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string') return value[1];
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function showBytes(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  // ---- authentication ---------------------------------------------------

  function apiKey() {
    return sessionStorage.getItem(KEY_ITEM);
  }

  function showLogin(problem) {
    login.hidden = false;
    ask.hidden = true;
    signOut.hidden = true;
    loginError.textContent = problem || '';
    keyInput.focus();
  }

  function showChat() {
    login.hidden = true;
    ask.hidden = false;
    signOut.hidden = !apiKey();
    message.focus();
  }

  login.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      loginError.textContent = 'Enter the API key.';
      return;
    }
    sessionStorage.setItem(KEY_ITEM, key);
    keyInput.value = '';
    showChat();
    restoreThread();
  });

  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(KEY_ITEM);
    if (authMode === 'key') showLogin('');
    else showChat();
  });

  /** fetch() with the bearer key; a 401 forgets the key and asks again. */
  async function apiFetch(path, init) {
    const headers = Object.assign({}, init && init.headers);
    const key = apiKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    const response = await fetch(path, Object.assign({}, init, { headers }));
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_ITEM);
      showLogin('The server refused this key. Enter it again.');
      throw new Unauthorized('not signed in');
    }
    return response;
  }

  /** The message of the API's JSON error, or the HTTP status. */
  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch (_) {
      // Not JSON (a proxy's page): the status says enough.
    }
    return `The server answered ${response.status} ${response.statusText}.`;
  }

  // ---- the event stream -------------------------------------------------

  /** Calls `onEvent(name, data)` for each Server-Sent Event of the response. */
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue; // keep-alive comment
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'event') name = text;
          else if (field === 'data') data.push(text);
        }
        if (data.length > 0) onEvent(name, JSON.parse(data.join('\n')));
      }
    }
  }

  // ---- one answer -------------------------------------------------------

  /**
   * The assistant's part of one turn, filled in as events arrive. Each model
   * call's text is its own paragraph, with the tool calls it asked for
   * after it, in the order they happened.
   */
  class Answer {
    constructor() {
      this.body = h('div', { class: 'body' });
      this.files = h('ul', { class: 'files', 'aria-label': 'Files' });
      this.cards = h('div', { class: 'proposals' });
      this.status = h('p', { class: 'status', text: 'Thinking…' });
      this.node = h('article', { class: 'message assistant', 'aria-busy': 'true' },
        this.body, this.files, this.cards, this.status);
      /** The paragraph the model is writing, until it calls a tool. */
      this.segment = null;
      /** The list the current round of tool calls goes into. */
      this.tools = null;
      this.calls = new Map();
      this.finished = false;
      log.append(this.node);
    }

    /** Starts the next paragraph of text. */
    newSegment() {
      this.segment = h('div', { class: 'text' });
      this.body.append(this.segment);
      this.tools = null;
      return this.segment;
    }

    handle(name, data) {
      switch (name) {
        case 'started':
          setThread(data.thread_id);
          break;
        case 'text_delta':
          (this.segment || this.newSegment()).append(data.text);
          this.status.textContent = 'Writing…';
          break;
        case 'tool_started':
          this.toolStarted(data);
          break;
        case 'tool_finished':
          this.toolFinished(data);
          break;
        case 'attachment':
          this.files.append(h('li', null, downloadLink(data)));
          break;
        case 'proposal':
          this.cards.append(proposalCard(data));
          break;
        case 'done':
          this.done(data);
          break;
        case 'error':
          this.fail(data.error && data.error.message ? data.error.message : 'The answer failed.');
          break;
        default:
          // An event a newer server added: nothing to draw.
          break;
      }
      scrollToEnd();
    }

    toolStarted(call) {
      const state = h('span', { class: 'state', text: 'running…' });
      const args = JSON.stringify(call.arguments);
      const item = h('li', { class: 'tool running', 'data-call-id': call.call_id },
        h('span', { class: 'name', text: call.name }),
        h('code', { class: 'args', text: args.length > 160 ? `${args.slice(0, 159)}…` : args }),
        state);
      this.calls.set(call.call_id, { item, state });
      // The model has finished this text; what it writes after its tools
      // are done is a new paragraph.
      if (this.segment) this.segment.replaceChildren(markdown(this.segment.textContent));
      this.segment = null;
      if (!this.tools) {
        this.tools = h('ul', { class: 'tools', 'aria-label': 'Tool activity' });
        this.body.append(this.tools);
      }
      this.tools.append(item);
      this.status.textContent = `Running ${call.name}…`;
    }

    toolFinished(call) {
      const shown = this.calls.get(call.call_id);
      if (!shown) return;
      shown.item.classList.remove('running');
      shown.item.classList.add(call.is_error ? 'failed' : 'ok');
      shown.state.textContent = call.is_error
        ? `failed after ${call.duration_ms} ms`
        : `done in ${call.duration_ms} ms`;
      this.status.textContent = 'Thinking…';
    }

    done(result) {
      this.finished = true;
      setThread(result.thread_id);
      // The reply is the final text as stored, including limit and failure
      // messages the model never streamed: it replaces the paragraph being
      // written, or follows the last tool calls.
      const last = this.segment || this.newSegment();
      last.replaceChildren(markdown(result.reply));
      if (result.status === 'completed') {
        this.status.remove();
      } else {
        this.status.textContent = `Stopped: ${result.status.replace(/_/g, ' ')}.`;
        this.status.classList.add('warning');
      }
      this.node.setAttribute('aria-busy', 'false');
      this.node.dataset.status = result.status;
    }

    fail(problem) {
      this.finished = true;
      this.status.textContent = problem;
      this.status.classList.add('error');
      this.node.setAttribute('aria-busy', 'false');
      this.node.dataset.status = 'error';
    }
  }

  // ---- attachments ------------------------------------------------------

  /** A file of the answer, as a link that downloads with the API key. */
  function downloadLink(file) {
    const link = authorizedLink(file.download_url, file.file_name,
      `${file.file_name} (${showBytes(file.bytes)})`);
    link.firstChild.dataset.attachmentId = file.id;
    return link;
  }

  /**
   * A link to an /api path, which needs the bearer key that a plain link
   * cannot send: the click fetches it with the key and saves the blob.
   */
  function authorizedLink(path, fileName, label) {
    const problem = h('span', { class: 'error' });
    const link = h('a', { href: path, class: 'download', text: label });
    link.addEventListener('click', async (event) => {
      event.preventDefault();
      problem.textContent = '';
      try {
        const response = await apiFetch(path);
        if (!response.ok) {
          problem.textContent = ` ${await errorMessage(response)}`;
          return;
        }
        const url = URL.createObjectURL(await response.blob());
        const save = h('a', { href: url, download: fileName });
        document.body.append(save);
        save.click();
        save.remove();
        // The download has its own copy once started.
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (err) {
        if (!(err instanceof Unauthorized)) problem.textContent = ` Download failed: ${err.message}`;
      }
    });
    return h('span', null, link, problem);
  }

  /** An answer's Markdown as elements (markdown.js); /api links download with the key. */
  function markdown(source) {
    return window.OdooAgentMarkdown.render(source, (path, label) => authorizedLink(path, label, label));
  }

  // ---- proposals --------------------------------------------------------

  function proposalCard(proposal) {
    const card = h('section', {
      class: 'proposal',
      'data-proposal-id': proposal.proposal_id,
      'data-status': 'pending',
    });
    const target = `${proposal.target.model} ${proposal.target.ids.join(', ')}`;
    card.append(
      h('h3', { text: `Proposal: ${proposal.action.replace(/_/g, ' ')}` }),
      h('p', {
        class: 'meta',
        text: `${target} · needs the ${proposal.required_role} role · expires ${new Date(proposal.expires_at).toLocaleString()}`,
      }),
      h('p', { class: 'preview', text: proposal.preview }),
    );
    if (proposal.changes.length > 0) {
      const rows = proposal.changes.map((change) => h('tr', null,
        h('td', { text: `${change.model} ${change.id}` }),
        h('td', { text: change.field }),
        h('td', { class: 'before', text: showValue(change.before) }),
        h('td', { class: 'after', text: showValue(change.after) })));
      card.append(h('table', { class: 'changes' },
        h('thead', null, h('tr', null,
          h('th', { text: 'Record' }), h('th', { text: 'Field' }),
          h('th', { text: 'Before' }), h('th', { text: 'After' }))),
        h('tbody', null, ...rows)));
    }

    const approve = h('button', { type: 'button', class: 'approve', text: 'Approve' });
    const reject = h('button', { type: 'button', class: 'reject', text: 'Reject' });
    const actions = h('div', { class: 'actions' }, approve, reject);
    const reason = h('input', { type: 'text', class: 'reason', placeholder: 'Why reject it?', 'aria-label': 'Reason for rejecting' });
    const confirm = h('button', { type: 'submit', class: 'confirm-reject', text: 'Reject proposal' });
    const cancel = h('button', { type: 'button', text: 'Cancel' });
    const rejectForm = h('form', { class: 'reject-form', hidden: true }, reason, confirm, cancel);
    const outcome = h('p', { class: 'outcome', role: 'status' });
    card.append(actions, rejectForm, outcome);

    const controls = [approve, reject, reason, confirm, cancel];
    const decide = async (url, body) => {
      controls.forEach((control) => { control.disabled = true; });
      outcome.className = 'outcome';
      outcome.textContent = 'Sending…';
      try {
        const response = await apiFetch(url, body
          ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
          : { method: 'POST' });
        if (!response.ok) {
          outcome.textContent = await errorMessage(response);
          outcome.classList.add('error');
          // Someone else decided it meanwhile: nothing left to decide here.
          if (response.status !== 409) controls.forEach((control) => { control.disabled = false; });
          return;
        }
        showDecision(card, outcome, await response.json());
        actions.remove();
        rejectForm.remove();
      } catch (err) {
        controls.forEach((control) => { control.disabled = false; });
        outcome.textContent = err instanceof Unauthorized ? '' : `Not sent: ${err.message}`;
      }
    };

    approve.addEventListener('click', () => decide(proposal.approve_url, null));
    reject.addEventListener('click', () => {
      rejectForm.hidden = false;
      actions.hidden = true;
      reason.focus();
    });
    cancel.addEventListener('click', () => {
      rejectForm.hidden = true;
      actions.hidden = false;
    });
    rejectForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        outcome.textContent = 'Say why, in a few words.';
        outcome.className = 'outcome error';
        reason.focus();
        return;
      }
      decide(proposal.reject_url, { reason: why });
    });
    return card;
  }

  /** The decided proposal as the API returned it. */
  function showDecision(card, outcome, decided) {
    card.dataset.status = decided.status;
    outcome.className = `outcome ${decided.status}`;
    const by = decided.decided_by ? ` by ${decided.decided_by}` : '';
    switch (decided.status) {
      case 'executed':
        outcome.textContent = `Approved${by} and carried out in Odoo.`;
        break;
      case 'failed':
        outcome.textContent = `Approved${by}, but not carried out: ${showValue(decided.outcome)}`;
        break;
      case 'rejected':
        outcome.textContent = `Rejected${by}: ${decided.reason || ''}`;
        break;
      default:
        outcome.textContent = `Now ${decided.status}.`;
    }
  }

  // ---- asking -----------------------------------------------------------

  function addQuestion(text) {
    const empty = $('empty');
    if (empty) empty.remove();
    const question = h('article', { class: 'message user' }, h('div', { class: 'text', text }));
    log.append(question);
    scrollToEnd();
    return question;
  }

  ask.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = message.value.trim();
    if (!text || busy) return;
    busy = true;
    send.disabled = true;
    const question = addQuestion(text);
    message.value = '';
    const answer = new Answer();
    scrollToEnd();
    try {
      const body = threadId ? { message: text, thread_id: threadId } : { message: text };
      const response = await apiFetch('/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        answer.fail(await errorMessage(response));
        return;
      }
      await readEvents(response, (name, data) => answer.handle(name, data));
      if (!answer.finished) answer.fail('The connection closed before the answer was complete.');
    } catch (err) {
      if (err instanceof Unauthorized) {
        // Nothing was asked: give the question back for after signing in.
        question.remove();
        answer.node.remove();
        message.value = text;
      } else {
        answer.fail(`The question could not be sent: ${err.message}`);
      }
    } finally {
      busy = false;
      send.disabled = false;
      scrollToEnd();
    }
  });

  message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask.requestSubmit();
    }
  });

  $('new-thread').addEventListener('click', () => {
    setThread(null);
    log.replaceChildren(h('p', { id: 'empty', class: 'empty', text: 'New conversation.' }));
    message.focus();
  });

  // ---- after a reload ---------------------------------------------------

  /** Shows the stored messages of the tab's conversation, if there is one. */
  async function restoreThread() {
    const id = sessionStorage.getItem(THREAD_ITEM);
    if (!id || threadId === id || log.querySelector('article')) return;
    let thread;
    try {
      const response = await apiFetch(`/api/threads/${encodeURIComponent(id)}`);
      if (!response.ok) {
        // Gone (another database, say): start afresh.
        setThread(null);
        return;
      }
      thread = await response.json();
    } catch (_) {
      return;
    }
    threadId = thread.thread_id;
    for (const stored of thread.messages) showStored(stored);
    scrollToEnd();
  }

  /** One stored message: questions as text, answers with their tool calls. */
  function showStored(stored) {
    const texts = stored.content.filter((block) => block.type === 'text').map((block) => block.text);
    if (stored.role === 'user') {
      // Tool results are stored as user messages; they have no text.
      if (texts.length > 0) addQuestion(texts.join('\n\n'));
      return;
    }
    const answer = new Answer();
    for (const block of stored.content) {
      if (block.type === 'text') {
        answer.newSegment().append(markdown(block.text));
      } else if (block.type === 'tool_use') {
        answer.toolStarted({ call_id: block.id, name: block.name, arguments: block.input });
        const shown = answer.calls.get(block.id);
        shown.item.classList.replace('running', 'past');
        shown.state.textContent = '';
      }
    }
    answer.status.remove();
    answer.finished = true;
    answer.node.setAttribute('aria-busy', 'false');
    answer.node.dataset.status = 'stored';
  }

  if (authMode === 'key' && !apiKey()) {
    showLogin('');
  } else {
    showChat();
    restoreThread();
  }
})();
