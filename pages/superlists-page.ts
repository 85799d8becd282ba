import { expect, type Locator, type Page } from '@playwright/test';
import { rowDifference, withDifference } from '../helpers/row-difference.ts';
import { rowText } from './contract.ts';
import { submitForm } from './forms.ts';
import { Navbar } from './navbar.ts';
import { step } from './steps.ts';
import { INJECTED_MARK } from './typed-texts.ts';

/** What every Superlists page has: the item form, its feedback, the heading and the list table. */
export class SuperlistsPage {
  /** The page's h1. */
  readonly heading: Locator;
  /**
   * The to-do item input: the textbox `#id_text` (stage 3 adds a second textbox, the navbar's
   * email input). Found by role and id, never by its placeholder: that is checked, not used.
   */
  readonly itemInput: Locator;
  /** The form's error feedback (`#id_text_feedback`). */
  readonly feedback: Locator;
  /** The list table's rows (`#id_list_table tr`); none on the home page. */
  readonly rows: Locator;
  /** Any element inside a row's cell: item text is shown as text, so there must be none. */
  readonly elementsInRows: Locator;
  /** The navbar (stage 3): log in by email, My lists, log out. */
  readonly navbar: Navbar;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.itemInput = page.getByRole('textbox').and(page.locator('#id_text'));
    this.feedback = page.locator('#id_text_feedback');
    this.rows = page.locator('#id_list_table tr');
    this.elementsInRows = page.locator('#id_list_table td *');
    this.navbar = new Navbar(page);
  }

  /** The page's address. */
  get url(): string {
    return this.page.url();
  }

  /**
   * Waits until the table has `position` rows, the last one reading `position: text`, as text:
   * an element made from the typed text (`<b>`, `<img>`) fails first, saying the site renders
   * item text unescaped. A different text is named by its kind when it shows (escaped twice...).
   */
  protected async expectLastRow(position: number, text: string): Promise<void> {
    await expect(this.rows).toHaveCount(position);
    await expect(
      this.rows.last().locator('td *'),
      `${this.url}: the row for ${JSON.stringify(text)} holds HTML elements made from the typed text: the site renders item text unescaped, as HTML`,
    ).toHaveCount(0);
    const expected = rowText(position, text);
    await expect(this.rows.last())
      .toHaveText(expected)
      .catch(async (error: unknown) => {
        const shown = await this.rows
          .last()
          .textContent({ timeout: 1_000 })
          .catch(() => null);
        const kind = shown === null ? undefined : rowDifference([expected], [shown]);
        throw withDifference(error, kind && `${this.url}: the new ${kind}`);
      });
  }

  /**
   * Types `text` into the item input and presses Enter, without waiting for any outcome: for an
   * input the browser itself may refuse (no request is sent then).
   */
  typeAndPressEnter(text: string): Promise<void> {
    return step(`type ${JSON.stringify(text)} and press Enter`, async () => {
      await this.itemInput.fill(text);
      await this.itemInput.press('Enter');
    });
  }

  /**
   * Submits `text` and waits for the page the site answers with to be parsed: on the navigation
   * event itself, not by polling for its effects (a locator assertion polls at 0, 20, 70, 170,
   * 270, 770 ms..., so an answer that lands at 300 ms would be seen 470 ms late). An answer
   * of 4xx or 5xx (a refused CSRF token, a crash) fails here, naming the status and the URL;
   * no answer within the action timeout: the assertions that follow say what the page shows.
   */
  submitItem(text: string): Promise<void> {
    return step(`submit ${JSON.stringify(text)}`, async () => {
      await this.itemInput.fill(text);
      await submitForm(this.page, () => this.itemInput.press('Enter'));
    });
  }

  /** Waits until the browser's own validation refuses the input (`#id_text:invalid`). */
  expectInputRefusedByBrowser(): Promise<void> {
    return step('the browser refuses the input', () =>
      expect(this.page.locator('#id_text:invalid')).toBeVisible(),
    );
  }

  /** Waits until the browser accepts the input (`#id_text:valid`). */
  expectInputAccepted(): Promise<void> {
    return step('the browser accepts the input', () =>
      expect(this.page.locator('#id_text:valid')).toBeVisible(),
    );
  }

  /**
   * Waits for the form error `message` to be shown next to the input, and for the page to finish
   * loading: the script that clears the error on typing must be in place before anyone types.
   */
  expectError(message: string): Promise<void> {
    return step(`the page shows the error ${JSON.stringify(message)}`, async () => {
      await expect(this.feedback).toHaveText(message);
      await expect(this.feedback).toBeVisible();
      await expect(this.itemInput).toHaveClass(/\bis-invalid\b/);
      await this.page.waitForLoadState('load');
    });
  }

  /**
   * Once the page has loaded (a failed image's `onerror` has fired by then), no script made from
   * typed text has run (`TEXT_THAT_RUNS` marks `<html>` with {@link INJECTED_MARK} if it does).
   */
  expectNoTypedTextRan(): Promise<void> {
    return step('no script made from typed text ran', async () => {
      await this.page.waitForLoadState('load');
      await expect(
        this.page.locator('html'),
        `${this.url}: an item's text ran as a script: the site renders item text unescaped, as HTML`,
      ).not.toHaveAttribute(INJECTED_MARK);
    });
  }
}
