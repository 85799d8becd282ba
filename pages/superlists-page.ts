import { expect, type Locator, type Page } from '@playwright/test';
import { rowText } from './contract.ts';
import { submitForm } from './forms.ts';
import { type Hiccups, NO_RETRIES, gotoUntilClean, loadUntilClean } from './navigation.ts';
import { Navbar } from './navbar.ts';
import { rowDifference, withDifference } from './row-difference.ts';
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

  /**
   * `hiccups`: how this page object's own loads treat an infrastructure hiccup (the fixtures'
   * `hiccups`; none by default). Page objects it makes get the same.
   */
  constructor(
    readonly page: Page,
    readonly hiccups: Hiccups = NO_RETRIES,
  ) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.itemInput = page.getByRole('textbox').and(page.locator('#id_text'));
    this.feedback = page.locator('#id_text_feedback');
    this.rows = page.locator('#id_list_table tr');
    this.elementsInRows = page.locator('#id_list_table td *');
    this.navbar = new Navbar(page, hiccups);
  }

  /** The page's address. */
  get url(): string {
    return this.page.url();
  }

  /** Loads `url` (a login link, say) in this page, a hiccup loaded again (`hiccups`). */
  async goto(url: string): Promise<void> {
    await gotoUntilClean(this.page, this.hiccups, url);
  }

  /** Loads this page again (its address, a GET), a hiccup loaded again (`hiccups`). */
  async reload(): Promise<void> {
    const url = this.url;
    await loadUntilClean(
      this.page,
      this.hiccups,
      () => this.page.reload(),
      () => url,
    );
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
  @step((text: string) => `type ${JSON.stringify(text)} and press Enter`)
  async typeAndPressEnter(text: string): Promise<void> {
    await this.itemInput.fill(text);
    await this.itemInput.press('Enter');
  }

  /**
   * Submits `text` and waits for the page the site answers with to be parsed: on the navigation
   * event itself, not by polling for its effects (a locator assertion polls at 0, 20, 70, 170,
   * 270, 770 ms..., so an answer that lands at 300 ms would be seen 470 ms late). An answer
   * of 4xx or 5xx (a refused CSRF token, a crash) fails here, naming the status and the URL;
   * no answer within the action timeout: the assertions that follow say what the page shows.
   */
  @step((text: string) => `submit ${JSON.stringify(text)}`)
  async submitItem(text: string): Promise<void> {
    await this.itemInput.fill(text);
    await submitForm(this.page, this.hiccups, () => this.itemInput.press('Enter'));
  }

  /** Waits until the browser's own validation refuses the input (`#id_text:invalid`). */
  @step('the browser refuses the input')
  async expectInputRefusedByBrowser(): Promise<void> {
    await expect(this.page.locator('#id_text:invalid')).toBeVisible();
  }

  /** Waits until the browser accepts the input (`#id_text:valid`). */
  @step('the browser accepts the input')
  async expectInputAccepted(): Promise<void> {
    await expect(this.page.locator('#id_text:valid')).toBeVisible();
  }

  /**
   * Waits for the form error `message` to be shown next to the input, and for the page to finish
   * loading: the script that clears the error on typing must be in place before anyone types.
   */
  @step((message: string) => `the page shows the error ${JSON.stringify(message)}`)
  async expectError(message: string): Promise<void> {
    await expect(this.feedback).toHaveText(message);
    await expect(this.feedback).toBeVisible();
    await expect(this.itemInput).toHaveClass(/\bis-invalid\b/);
    await this.page.waitForLoadState('load');
  }

  /**
   * Once the page has loaded (a failed image's `onerror` has fired by then), no script made from
   * typed text has run (`TEXT_THAT_RUNS` marks `<html>` with {@link INJECTED_MARK} if it does).
   */
  @step('no script made from typed text ran')
  async expectNoTypedTextRan(): Promise<void> {
    await this.page.waitForLoadState('load');
    await expect(
      this.page.locator('html'),
      `${this.url}: an item's text ran as a script: the site renders item text unescaped, as HTML`,
    ).not.toHaveAttribute(INJECTED_MARK);
  }
}
