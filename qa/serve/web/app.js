// The chat page: sends each message to POST /chat and renders the cited answer.
// Plain DOM (no framework, no build step, nothing loaded from outside). Text from the
// server is only ever set with textContent, never parsed as HTML.
"use strict";

// Each string beside its translation: [Vietnamese, English].
const STRINGS = {
  title: ["Hỏi đáp tin tức", "News Q&A"],
  reset: ["Trò chuyện mới", "New chat"],
  label: ["Câu hỏi", "Question"],
  send: ["Gửi", "Send"],
  placeholder: ["Nhập câu hỏi…", "Ask a question…"],
  intro: ["Hỏi về các bài báo. Mỗi câu trả lời đều dẫn nguồn.", "Ask about the articles. Every answer cites its source."],
  you: ["Bạn", "You"],
  bot: ["Trả lời", "Answer"],
  also: ["Các bài khác cũng nói:", "Other articles also say:"],
  sources: ["Nguồn", "Sources"],
  closest: ["Các đoạn gần nhất (không chứa câu trả lời):", "Closest passages (they do not answer it):"],
  notFound: ["Các bài báo không nói điều này.", "The articles do not say."],
  asked: ["Đã hiểu là:", "Understood as:"],
  thinking: ["Đang tìm…", "Searching…"],
  error: ["Lỗi", "Error"],
  confidence: ["độ tin cậy", "confidence"],
  noDate: ["không rõ ngày", "no date"],
  network: ["Không kết nối được máy chủ.", "Cannot reach the server."],
  other: ["EN", "VI"],
  examples: [["Quỳnh Nhai quyên góp được bao nhiêu tiền?", "How much did Quỳnh Nhai raise?"],
             ["How much did Quỳnh Nhai raise?", "Quỳnh Nhai quyên góp được bao nhiêu tiền?"]],
};

const state = {
  lang: pickLanguage(),
  sessionId: null,
  turns: [],  // {message, reply?: ChatOut, error?: string, pending?: bool}
};

function pickLanguage() {
  const saved = localStorage.getItem("qa.lang");
  if (saved === "vi" || saved === "en") return saved;
  return (navigator.language || "vi").toLowerCase().startsWith("vi") ? "vi" : "en";
}

function t(key) { return STRINGS[key][state.lang === "vi" ? 0 : 1]; }

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// The sentence with `figure` wrapped in <mark> (case-insensitive; whole sentence if absent).
// With `around`, a long sentence is cut to about that many characters each side of the
// figure, at word boundaries (the citation still opens the whole passage).
function highlighted(sentence, figure, around = 0) {
  const at = figure ? sentence.toLowerCase().indexOf(figure.toLowerCase()) : -1;
  if (at < 0) return [sentence];
  let before = sentence.slice(0, at);
  let after = sentence.slice(at + figure.length);
  if (around && before.length > around + 20) before = "…" + before.slice(-around).replace(/^\S*\s/, "");
  if (around && after.length > around + 20) after = after.slice(0, around).replace(/\s\S*$/, "") + "…";
  return [before, el("mark", {}, sentence.slice(at, at + figure.length)), after];
}

function articleLine(article) {
  return el("span", { class: "cite-meta" }, el("strong", {}, article.title), " · ",
    article.date ? el("time", {}, article.date) : el("span", { class: "no-date" }, t("noDate")));
}

function citeButton(rank, turnId) {
  return el("button", {
    type: "button", class: "cite", "data-rank": rank, "aria-controls": `p-${turnId}-${rank}`,
    onclick: () => togglePassage(turnId, rank, true),
  }, `[${rank}]`);
}

function togglePassage(turnId, rank, forceOpen) {
  const panel = document.getElementById(`p-${turnId}-${rank}`);
  if (!panel) return;
  panel.open = forceOpen ? true : !panel.open;
  if (panel.open) panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function answerBlock(answer, turnId, main) {
  return el("div", { class: main ? "answer" : "answer also-item" },
    main ? el("p", { class: "figure" }, answer.text, " ", citeButton(answer.passage, turnId)) : null,
    el("blockquote", { class: "sentence" }, highlighted(answer.sentence, answer.text, 140),
       main ? null : [" ", citeButton(answer.passage, turnId)]));
}

function passagePanel(passage, turnId, figures, open) {
  const figure = figures.get(passage.rank);
  const at = passage.text.indexOf(passage.sentence);
  const body = at < 0 ? highlighted(passage.text, figure) : [
    passage.text.slice(0, at),
    el("span", { class: "cited" }, highlighted(passage.sentence, figure)),
    passage.text.slice(at + passage.sentence.length),
  ];
  const attrs = { class: "passage", id: `p-${turnId}-${passage.rank}` };
  if (open) attrs.open = "";
  return el("details", attrs,
    el("summary", {}, el("span", { class: "rank" }, `[${passage.rank}]`), " ", articleLine(passage.article)),
    el("p", { class: "passage-text" }, body));
}

function botBubble(turn, turnId) {
  if (turn.pending) return el("div", { class: "bubble bot pending" }, t("thinking"));
  if (turn.error) return el("div", { class: "bubble bot error" }, `${t("error")}: ${turn.error}`);
  const { result, reply, question, message } = turn.reply;
  const answer = result.answer;
  const figures = new Map();  // passage rank -> figure to highlight in it
  if (answer) [answer, ...result.also].forEach((a) => figures.has(a.passage) || figures.set(a.passage, a.text));
  const children = [];
  if (question && question !== message) children.push(el("p", { class: "resolved" }, t("asked"), " ", question));
  if (answer) {
    children.push(answerBlock(answer, turnId, true));
    if (result.also.length) {
      children.push(el("p", { class: "also-title" }, t("also")),
                    ...result.also.map((a) => answerBlock(a, turnId, false)));
    }
    if (result.note) children.push(el("p", { class: "note" }, result.note));
  } else {
    children.push(el("p", { class: "not-found" }, reply || t("notFound")));
  }
  // The later parts of a multi-part question: each answered and cited, or said unanswered.
  for (const part of result.parts || []) {
    children.push(el("p", { class: "part-question" }, part.question));
    if (part.answer) {
      figures.has(part.answer.passage) || figures.set(part.answer.passage, part.answer.text);
      children.push(answerBlock(part.answer, turnId, true));
    } else {
      children.push(el("p", { class: "not-found" }, part.note || t("notFound")));
    }
  }
  if (result.passages.length) {
    children.push(el("div", { class: answer ? "sources" : "sources closest" },
      el("p", { class: "sources-title" }, answer ? t("sources") : t("closest")),
      // Without an answer, the closest passage is opened: it is all there is to read.
      result.passages.map((p, i) => passagePanel(p, turnId, figures, !answer && i === 0))));
  }
  return el("div", { class: answer ? "bubble bot" : "bubble bot no-answer", "data-turn": turnId }, children);
}

function render() {
  document.documentElement.lang = state.lang;
  document.title = `${t("title")} · qa`;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  });
  document.getElementById("lang").textContent = t("other");
  const examples = document.getElementById("examples");
  examples.replaceChildren(...t("examples").map((q) =>
    el("button", { type: "button", class: "example", onclick: () => send(q) }, q)));
  document.getElementById("intro").hidden = state.turns.length > 0;
  const log = document.getElementById("log");
  log.querySelectorAll(".turn").forEach((node) => node.remove());
  state.turns.forEach((turn, i) => {
    log.append(el("article", { class: "turn" },
      el("div", { class: "bubble user" }, turn.message), botBubble(turn, i + 1)));
  });
}

async function send(message) {
  message = message.trim();
  if (!message || state.turns.some((turn) => turn.pending)) return;
  const turn = { message, pending: true };
  state.turns.push(turn);
  render();
  scrollToEnd();
  try {
    const response = await fetch("/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(state.sessionId ? { session_id: state.sessionId, message } : { message }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      turn.reply = body;
      state.sessionId = body.session_id;
    } else {
      turn.error = typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
      if (response.status === 404 || response.status === 410) state.sessionId = null;
    }
  } catch (err) {
    turn.error = t("network");
  }
  turn.pending = false;
  render();
  scrollToEnd();
}

function scrollToEnd() {
  const last = document.querySelector(".turn:last-of-type");
  if (last) last.scrollIntoView({ block: "start", behavior: "smooth" });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("ask");
  const box = document.getElementById("q");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = box.value;
    box.value = "";
    send(message);
    box.focus();
  });
  box.addEventListener("keydown", (event) => {  // Enter sends, Shift+Enter breaks the line
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("lang").addEventListener("click", () => {
    state.lang = state.lang === "vi" ? "en" : "vi";
    localStorage.setItem("qa.lang", state.lang);
    render();
  });
  document.getElementById("reset").addEventListener("click", () => {
    state.sessionId = null;
    state.turns = [];
    render();
    box.focus();
  });
  render();
  box.focus();
});
