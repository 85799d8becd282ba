import { expect, type Locator, type Page } from '@playwright/test';

/** What every Superlists page has: the item form, its feedback and the page heading. */
export class SuperlistsPage {
  /** The page's h1. */
  readonly heading: Locator;
  /** The to-do item input (`#id_text`, placeholder `Enter a to-do item`). */
  readonly itemInput: Locator;
  /** The form's error feedback (`#id_text_feedback`). */
  readonly feedback: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.itemInput = page.getByPlaceholder('Enter a to-do item');
    this.feedback = page.locator('#id_text_feedback');
  }

  /**
   * Types `text` into the item input and presses Enter, without waiting for any outcome: for an
   * input the browser itself may refuse (no request is sent then).
   */
  async typeAndPressEnter(text: string): Promise<void> {
    await this.itemInput.fill(text);
    await this.itemInput.press('Enter');
  }

  /**
   * Submits `text` and waits for the page the site answers with to be parsed: on the navigation
   * event itself, not by polling for its effects (a locator assertion polls at 0, 20, 70, 170,
   * 270, 770 ms..., so an answer that lands at 300 ms would be seen 470 ms late). No answer
   * within the action timeout: the assertions that follow say what the page shows instead.
   */
  async submitItem(text: string): Promise<void> {
    await this.itemInput.fill(text);
    const answered = this.page.waitForEvent('domcontentloaded');
    await this.itemInput.press('Enter');
    await answered.catch(() => undefined);
  }

  /** Waits until the browser's own validation refuses the input (`#id_text:invalid`). */
  async expectInputRefusedByBrowser(): Promise<void> {
    await expect(this.page.locator('#id_text:invalid')).toBeVisible();
  }

  /** Waits until the browser accepts the input (`#id_text:valid`). */
  async expectInputAccepted(): Promise<void> {
    await expect(this.page.locator('#id_text:valid')).toBeVisible();
  }

  /**
   * Waits for the form error `message` to be shown next to the input, and for the page to finish
   * loading: the script that clears the error on typing must be in place before anyone types.
   */
  async expectError(message: string): Promise<void> {
    await expect(this.feedback).toHaveText(message);
    await expect(this.feedback).toBeVisible();
    await expect(this.itemInput).toHaveClass(/\bis-invalid\b/);
    await this.page.waitForLoadState('load');
  }
}
