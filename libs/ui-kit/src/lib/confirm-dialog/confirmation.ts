import { Injectable, Injector, inject } from '@angular/core';

export interface ConfirmOptions {
  title: string;
  /** What will happen, in a sentence or two: "This cannot be undone; its pods are deleted too." */
  message?: string;
  /** The confirming button's label, a verb: "Delete", "Remove", "Scale". */
  confirm: string;
  cancel?: string;
  /** Shown in the danger colour, for what cannot be undone. */
  danger?: boolean;
  /** The person must type this (usually the object's name) before the button works. */
  typeToConfirm?: string;
  /** What it will be done to, one line each (the objects a bulk delete removes), under the message; scrolls when long. */
  items?: readonly string[];
  /** The list's accessible name: "Objects to delete". */
  itemsLabel?: string;
}

export interface PromptOptions extends Omit<ConfirmOptions, 'typeToConfirm'> {
  /** The field's label. */
  label: string;
  value: string | number;
  type?: 'text' | 'number';
  /** Says what is wrong with a value, in words; nothing when it is fine. */
  check?: (value: string) => string | undefined;
}

/** What the dialog is given: the options, whether it asks for a value, and a unique id for its title's element. */
export type DialogData = { options: ConfirmOptions | PromptOptions; prompt: boolean; id: number };

let nextId = 0;

/**
 * Asks the person before something happens, with `ConfirmDialog`. The dialog's code (the CDK
 * dialog and overlay, about 25 KB gz) is a lazy chunk fetched on the first question, so a page
 * that only lists costs nothing for it (issue 20's shell budget: the shared ui-kit bundle loads
 * on every page).
 */
@Injectable({ providedIn: 'root' })
export class Confirmation {
  private readonly injector = inject(Injector);

  /** Resolves true only when the person confirmed (Escape, Cancel and the backdrop say no). */
  async confirm(options: ConfirmOptions): Promise<boolean> {
    return (await this.open({ options, prompt: false, id: ++nextId })) === true;
  }

  /** Resolves the value entered, or undefined when the person cancelled. */
  async prompt(options: PromptOptions): Promise<string | undefined> {
    const value = await this.open({ options, prompt: true, id: ++nextId });
    return typeof value === 'string' ? value : undefined;
  }

  private async open(data: DialogData): Promise<string | boolean | undefined> {
    const { openConfirmDialog } = await import('./confirm-dialog');
    return openConfirmDialog(this.injector, data);
  }
}
