// A live customer form in plain JavaScript: the fields, their labels and choices, every
// message and the documents list come from @kycard/core, so this page says exactly what the
// kycard server would answer. The only text written here is the page's own headings.
import {
  choices,
  fieldLabels,
  negotiateLocale,
  requiredDocuments,
  validateCustomer,
} from "./kycard-core/index.js";

/** The page's own words (everything else comes from the package). */
const PAGE = {
  en: { title: "New customer", language: "Language", contact: "Contact details", personal: "Personal details", official_id: "Official ID",
        financial: "Financial information", documents: "Documents this customer will need",
        normalized: "What would be sent (normalised by core)", choose: "Choose…", valid: "Valid: ready to send.",
        intro: "Every field is checked as you type by validateCustomer, the very rules the kycard server applies, compiled to WebAssembly. No framework, no build step: this page imports ./kycard-core/index.js." },
  es: { title: "Nuevo cliente", language: "Idioma", contact: "Datos de contacto", personal: "Datos personales", official_id: "Documento de identidad",
        financial: "Información financiera", documents: "Documentos que necesitará este cliente",
        normalized: "Lo que se enviaría (normalizado por core)", choose: "Elige…", valid: "Válido: listo para enviar.",
        intro: "Cada campo se comprueba mientras escribes con validateCustomer, las mismas reglas que aplica el servidor de kycard, compiladas a WebAssembly. Sin framework ni compilación: esta página importa ./kycard-core/index.js." },
};

/** Which list of `choices()` a field offers, by the last part of its path. */
const LISTS = {
  gender: "gender", type: "id_type", country: "country", issuing_country: "country", occupation: "occupation",
  annual_salary_range: "annual_salary_range", account_purpose: "account_purpose",
  expected_monthly_volume: "expected_monthly_volume",
};
const DATES = new Set(["date_of_birth", "expires_on"]);

const form = document.getElementById("customer");
const localeSelect = document.getElementById("locale");
const values = new Map();
const touched = new Set();
let locale = negotiateLocale(navigator.languages);

function sectionOf(path) {
  if (path.startsWith("contact.")) return "contact";
  return path.split(".")[1];
}

function idOf(path) {
  return path.replaceAll(".", "-");
}

/** The customer the form holds, in the API's shape. */
function customer() {
  const data = {};
  const enrolled = document.getElementById("individual_cards").checked;
  data.individual_cards = enrolled;
  for (const [path, value] of values) {
    if (value === "" || (!enrolled && path.startsWith("individual."))) continue;
    const parts = path.split(".");
    let node = data;
    for (const part of parts.slice(0, -1)) node = node[part] ??= {};
    node[parts.at(-1)] = value;
  }
  return data;
}

function control(path, label) {
  const last = path.split(".").at(-1);
  const id = idOf(path);
  const wrapper = document.createElement("div");
  wrapper.className = "field";
  const caption = document.createElement("label");
  caption.htmlFor = id;
  caption.textContent = label;
  let input;
  if (LISTS[last]) {
    input = document.createElement("select");
    input.append(new Option(PAGE[locale].choose, ""));
    for (const choice of choices(locale)[LISTS[last]]) input.append(new Option(choice.label, choice.value));
  } else {
    input = document.createElement("input");
    input.type = DATES.has(last) ? "date" : last === "email" ? "email" : last === "phone" ? "tel" : "text";
  }
  input.id = id;
  input.name = path;
  input.value = values.get(path) ?? "";
  input.setAttribute("aria-describedby", `${id}-error`);
  input.addEventListener("input", () => {
    values.set(path, input.value);
    check();
  });
  input.addEventListener("blur", () => {
    touched.add(path);
    check();
  });
  const error = document.createElement("p");
  error.className = "error";
  error.id = `${id}-error`;
  wrapper.append(caption, input, error);
  return wrapper;
}

/** Draws the fields in the current language; what was typed stays in `values`. */
function draw() {
  document.documentElement.lang = locale;
  localeSelect.value = locale;
  for (const element of document.querySelectorAll("[data-label]")) element.textContent = PAGE[locale][element.dataset.label];
  for (const fieldset of form.querySelectorAll("fieldset")) fieldset.querySelectorAll(".field").forEach((f) => f.remove());
  for (const { path, label } of fieldLabels(locale)) {
    if (path === "individual_cards") {
      document.querySelector('label[for="individual_cards"]').textContent = label;
      continue;
    }
    document.getElementById(sectionOf(path)).append(control(path, label));
  }
  check();
}

/** Runs core's rules on what is typed and shows every answer. */
function check() {
  const data = customer();
  document.getElementById("program").hidden = !data.individual_cards;
  const result = validateCustomer(data, undefined, locale);
  const shown = new Set();
  for (const input of form.querySelectorAll(".field input, .field select")) {
    const error = result.errors.find((e) => e.path === input.name);
    const visible = error && touched.has(input.name);
    input.setAttribute("aria-invalid", visible ? "true" : "false");
    document.getElementById(`${input.id}-error`).textContent = visible ? error.message : "";
    if (error) shown.add(error.path);
  }
  const others = document.getElementById("other-errors");
  others.replaceChildren(
    ...result.errors
      .filter((e) => !shown.has(e.path) && touched.size > 0)
      .map((e) => Object.assign(document.createElement("li"), { textContent: e.message })),
  );
  const outcome = document.getElementById("outcome");
  outcome.hidden = !result.ok;
  if (result.ok) {
    const needed = requiredDocuments(data, undefined, locale) ?? [];
    document.getElementById("documents").replaceChildren(
      ...needed.map((d) => Object.assign(document.createElement("li"), { textContent: d.label })),
    );
    document.getElementById("normalized").textContent = `${PAGE[locale].valid}\n\n${JSON.stringify(result.value, null, 2)}`;
  }
}

document.getElementById("individual_cards").addEventListener("change", check);
localeSelect.addEventListener("change", () => {
  locale = localeSelect.value;
  draw();
});
document.getElementById("loading").hidden = true;
form.hidden = false;
draw();
