import { expect, type Locator, type Page } from '@playwright/test';
import { ACCOUNTS, loggedInAs } from './contract.ts';
import { submitForm } from './forms.ts';
import { type Hiccups, NO_RETRIES } from './navigation.ts';
import { step } from './steps.ts';

/** The navbar every Superlists page has from stage 3 on: log in by email, My lists, log out. */
export class Navbar {
  readonly root: Locator;
  /** The email input of the logged-out navbar (`#id_email_input`). */
  readonly emailInput: Locator;
  readonly myListsLink: Locator;
  readonly logoutButton: Locator;
  /** The one-shot message under the navbar: `.alert-success` or `.alert-warning`. */
  readonly successFlash: Locator;
  readonly warningFlash: Locator;

  constructor(
    readonly page: Page,
    readonly hiccups: Hiccups = NO_RETRIES,
  ) {
    this.root = page.locator('.navbar');
    this.emailInput = this.root.locator('#id_email_input');
    this.myListsLink = this.root.getByRole('link', { name: ACCOUNTS.myListsLink });
    this.logoutButton = page.locator('#id_logout');
    this.successFlash = page.locator('.alert-success');
    this.warningFlash = page.locator('.alert-warning');
  }

  /** Asks for a login link for `email` and waits for the answer page. */
  @step((email: string) => `ask for a login link for ${email}`)
  async requestLoginLink(email: string): Promise<void> {
    await this.emailInput.fill(email);
    await submitForm(this.page, this.hiccups, () => this.emailInput.press('Enter'));
  }

  /** Waits until the navbar says `email` is logged in, with a My lists link. */
  async expectLoggedInAs(email: string): Promise<void> {
    await expect(this.root).toContainText(loggedInAs(email));
    await expect(this.myListsLink).toBeVisible();
    await expect(this.emailInput).toBeHidden();
  }

  /** Waits until the navbar shows the email form again and no My lists link. */
  async expectLoggedOut(): Promise<void> {
    await expect(this.emailInput).toBeVisible();
    await expect(this.emailInput).toHaveAttribute('placeholder', ACCOUNTS.emailPlaceholder);
    await expect(this.myListsLink).toHaveCount(0);
  }

  /** Logs out with the navbar's button and waits for the answer page. */
  @step('log out')
  async logOut(): Promise<void> {
    await submitForm(this.page, this.hiccups, () => this.logoutButton.click());
  }
}
