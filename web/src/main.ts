// The web lab's entry: four panels behind accessible tabs, in the language of the switch, and the whole view kept in the URL hash so a
// view can be shared (a pasted URL restores it; hash changes made by hand are read back too).

import "./style.css";
import { byId, h } from "./dom.js";
import { EwmaPanel } from "./ewma-panel.js";
import { SchedulePanel } from "./schedule-panel.js";
import { SurfacesPanel } from "./surfaces-panel.js";
import { TourPanel } from "./tour-panel.js";
import { TOUR_TEXT } from "./tour-text.js";
import { LAB_TEXT } from "./lab-text.js";
import { LANG_NAMES, LANGS, type Lang } from "../../src/lab/i18n.js";
import { readHash } from "./url-state.js";

type Tab = "tour" | "surfaces" | "ewma" | "schedule";
const TABS: readonly { id: Tab; label: (lang: Lang) => string }[] = [
  { id: "tour", label: (l) => TOUR_TEXT[l].tab },
  { id: "surfaces", label: (l) => LAB_TEXT[l].tabs.surfaces },
  { id: "ewma", label: (l) => LAB_TEXT[l].tabs.ewma },
  { id: "schedule", label: (l) => LAB_TEXT[l].tabs.schedule },
];

let reading = false;
let tab: Tab = "surfaces";
let lang: Lang = "en";

function writeHash(): void {
  if (reading) return;
  const params = new URLSearchParams();
  params.set("tab", tab);
  if (lang !== "en") params.set("lang", lang);
  if (tab === "tour") tour.write(params);
  if (tab === "surfaces") surfaces.write(params);
  if (tab === "ewma") ewmaPanel.write(params);
  if (tab === "schedule") schedule.write(params);
  const hash = `#${params.toString()}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

const surfaces = new SurfacesPanel(byId("panel-surfaces", HTMLElement), writeHash);
const ewmaPanel = new EwmaPanel(byId("panel-ewma", HTMLElement), writeHash);
const schedule = new SchedulePanel(byId("panel-schedule", HTMLElement), writeHash);
const tour = new TourPanel(byId("panel-tour", HTMLElement), writeHash);
const panels = { tour, surfaces, ewma: ewmaPanel, schedule };

// the language switch: every panel, the header and the tab names follow it (and the URL keeps it)
const languageSelect = h(
  "select",
  { id: "lang", "aria-label": "Language / 언어" },
  ...LANGS.map((l) => h("option", { value: l, lang: l }, LANG_NAMES[l])),
);
byId("lang-switch", HTMLElement).append(languageSelect);
languageSelect.addEventListener("change", () => {
  setLang(languageSelect.value === "ko" ? "ko" : "en");
  writeHash();
});

function setLang(next: Lang): void {
  lang = next;
  languageSelect.value = next;
  document.documentElement.lang = next;
  const text = TOUR_TEXT[next];
  byId("lab-title", HTMLElement).textContent = text.heading;
  byId("lab-subtitle", HTMLElement).textContent = text.subtitle;
  TABS.forEach((t, i) => {
    buttons[i]!.textContent = t.label(next);
  });
  byId("tabs", HTMLElement).setAttribute("aria-label", LAB_TEXT[next].tabsAria);
  for (const panel of Object.values(panels)) panel.setLang(next);
}

const buttons = TABS.map((t) =>
  h(
    "button",
    { type: "button", role: "tab", id: `tab-${t.id}`, "aria-controls": `panel-${t.id}`, "data-tab": t.id },
    t.label("en"),
  ),
);
byId("tabs", HTMLElement).append(...buttons);

function show(next: Tab, focus = false): void {
  tab = next;
  TABS.forEach((t, i) => {
    const selected = t.id === next;
    const button = buttons[i]!;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    byId(`panel-${t.id}`, HTMLElement).hidden = !selected;
    if (focus && selected) button.focus();
  });
  for (const t of TABS) panels[t.id].setVisible(t.id === next);
  writeHash();
}

buttons.forEach((button, i) => {
  button.addEventListener("click", () => show(TABS[i]!.id));
  button.addEventListener("keydown", (e) => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      Home: -i,
      End: TABS.length - 1 - i,
    };
    const d = moves[e.key];
    if (d === undefined) return;
    e.preventDefault();
    show(TABS[(i + d + TABS.length) % TABS.length]!.id, true);
  });
});

function restore(): void {
  const params = readHash(location.hash);
  const requested = params.get("tab");
  const next = TABS.find((t) => t.id === requested)?.id ?? "surfaces";
  reading = true;
  try {
    setLang(params.get("lang") === "ko" ? "ko" : "en");
    tour.read(params);
    // every panel reads the hash: keys a panel does not find take its defaults
    surfaces.read(params);
    ewmaPanel.read(params);
    schedule.read(params);
  } finally {
    reading = false;
  }
  show(next);
}

window.addEventListener("hashchange", restore);
restore();
