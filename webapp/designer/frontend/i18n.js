/* Translations come from the page: the view renders every msgid the designer shows (ours and
 * bpmn-js's, see webapp/designer/strings.py) translated into the active language, as a JSON
 * object {english: translated}. t() looks a template up and fills its {placeholders}. */

export function createTranslator(dictionary) {
  const strings = dictionary || {};
  return function translate(template, replacements) {
    const text = Object.prototype.hasOwnProperty.call(strings, template) ? strings[template] : template;
    const values = replacements || {};
    return String(text).replace(/{([^}]+)}/g, function(match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  };
}

/** A bpmn-js module that replaces diagram-js's translate service with ours. */
export function translateModule(translate) {
  return { translate: [ 'value', translate ] };
}
