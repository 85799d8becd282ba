/**
 * Texts real users type, for the stories: markup characters, both quotes, accents and emoji. A
 * site must show each exactly as typed, as text (the contract's "Production settings").
 */

/** Markup, an ampersand, quotes, a dash, accents and an emoji in one line. */
export const TEXT_WITH_MARKUP = `Buy <b>peacock</b> feathers & "fly" — l'été 🦚`;

/**
 * An image that runs a script when rendered as HTML: its `onerror` marks the document
 * ({@link INJECTED_MARK}). Shown as text, it runs nothing.
 */
export const TEXT_THAT_RUNS = `<img src="x" onerror="document.documentElement.dataset.injected='yes'"> & it's fine`;

/** The attribute {@link TEXT_THAT_RUNS} sets on `<html>` if the site runs it. */
export const INJECTED_MARK = 'data-injected';
