import { Dialog, DIALOG_DATA, DialogRef } from '@angular/cdk/dialog';
import { ChangeDetectionStrategy, Component, computed, inject, Injector, signal, ViewEncapsulation } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { OVERLAY_STYLES } from '../overlay-styles';
import type { ConfirmOptions, DialogData, PromptOptions } from './confirmation';

/**
 * The one dialog the console asks with: a confirmation (optionally "type the name to
 * confirm"), or a single field (replicas to scale to). It is modal, keeps focus inside, closes
 * on Escape, and gives focus back to what opened it. Opened through `Confirmation`.
 */
@Component({
  selector: 'cairn-confirm-dialog',
  template: `
    <form class="cairn-dialog" (submit)="$event.preventDefault(); submit()">
      <h2 class="cairn-dialog-title" [id]="titleId">{{ options.title }}</h2>
      @if (options.message) {
        <p class="cairn-dialog-message">{{ options.message }}</p>
      }
      @if (options.items?.length) {
        <ul class="cairn-dialog-items" [attr.aria-label]="options.itemsLabel ?? null">
          @for (item of options.items; track $index) { <li>{{ item }}</li> }
        </ul>
      }
      @if (field(); as f) {
        <label [for]="fieldId">{{ f.label }}</label>
        <input [id]="fieldId" [type]="f.type" [value]="value()" (input)="value.set($any($event.target).value)" [attr.min]="f.type === 'number' ? 0 : null"
          autocomplete="off" spellcheck="false" [attr.aria-invalid]="problem() ? 'true' : null" [attr.aria-describedby]="problem() ? fieldId + '-problem' : null" />
        @if (problem(); as p) {
          <span class="cairn-dialog-problem" [id]="fieldId + '-problem'">{{ p }}</span>
        }
      }
      <div class="cairn-dialog-buttons">
        <button type="submit" [class.cairn-danger]="options.danger" [disabled]="!!problem()">{{ options.confirm }}</button>
        <button type="button" (click)="ref.close(undefined)">{{ options.cancel ?? 'Cancel' }}</button>
      </div>
    </form>
  `,
  // The dialog lives in the overlay container at the end of <body>, outside any view's styles;
  // its class names are prefixed instead, and the overlay's own layout rules come with it so a
  // remote needs no global stylesheet.
  styles: [
    OVERLAY_STYLES,
    `
    .cairn-dialog { display: flex; flex-direction: column; gap: 0.5rem; box-sizing: border-box; width: min(30rem, calc(100vw - 2rem)); padding: 1rem 1.25rem;
      background: var(--cairn-surface, #fff); color: var(--cairn-text, #1f2328); border: 1px solid var(--cairn-border, #d0d7de); border-radius: 8px;
      box-shadow: 0 8px 24px rgba(1, 4, 9, 0.3); font: inherit; }
    .cairn-dialog-title { margin: 0; font-size: 1.0625rem; }
    .cairn-dialog-message { margin: 0; color: var(--cairn-muted, #57606a); }
    .cairn-dialog input { font: inherit; padding: 0.3rem 0.5rem; border: 1px solid var(--cairn-border, #d0d7de); border-radius: 6px; background: var(--cairn-bg, #f6f8fa); color: inherit; }
    .cairn-dialog-items { margin: 0; padding: 0.375rem 0.5rem 0.375rem 1.5rem; max-height: min(16rem, 40vh); overflow-y: auto; overflow-wrap: anywhere;
      border: 1px solid var(--cairn-border, #d0d7de); border-radius: 6px; font-size: 0.875rem; }
    .cairn-dialog-problem { color: var(--cairn-danger, #cf222e); font-size: 0.875rem; }
    .cairn-dialog-buttons { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
    .cairn-dialog button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border, #d0d7de);
      background: var(--cairn-surface, #fff); color: inherit; cursor: pointer; }
    .cairn-dialog button:disabled { opacity: 0.55; cursor: default; }
    .cairn-dialog button.cairn-danger { color: var(--cairn-danger, #cf222e); border-color: var(--cairn-danger, #cf222e); }
  `,
  ],
  encapsulation: ViewEncapsulation.None,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConfirmDialog {
  protected readonly ref = inject<DialogRef<string | boolean | undefined>>(DialogRef);
  private readonly data = inject<DialogData>(DIALOG_DATA);
  protected readonly options = this.data.options;
  protected readonly titleId = `cairn-dialog-title-${this.data.id}`;
  protected readonly fieldId = `cairn-dialog-field-${this.data.id}`;

  protected readonly field = computed(() => {
    const o = this.options as Partial<PromptOptions & ConfirmOptions>;
    if (this.data.prompt) return { label: o.label ?? '', type: o.type ?? 'text' };
    if (o.typeToConfirm !== undefined) return { label: 'Name', type: 'text' as const };
    return undefined;
  });
  protected readonly value = signal(this.data.prompt ? String((this.options as PromptOptions).value) : '');

  protected readonly problem = computed(() => {
    const o = this.options as Partial<PromptOptions & ConfirmOptions>;
    if (this.data.prompt) return o.check?.(this.value());
    if (o.typeToConfirm !== undefined && this.value() !== o.typeToConfirm) return this.value() ? `Type ${o.typeToConfirm} exactly to confirm.` : `Type ${o.typeToConfirm} to confirm.`;
    return undefined;
  });

  protected submit(): void {
    if (this.problem()) return;
    this.ref.close(this.data.prompt ? this.value() : true);
  }
}

/**
 * Opens `ConfirmDialog` with `data` in `injector`'s context; resolves what it closed with (true,
 * the value entered, or undefined for Escape, Cancel and the backdrop). Called by `Confirmation`.
 */
export function openConfirmDialog(injector: Injector, data: DialogData): Promise<string | boolean | undefined> {
  const ref = injector.get(Dialog).open<string | boolean | undefined, DialogData, ConfirmDialog>(ConfirmDialog, {
    data,
    autoFocus: 'first-tabbable',
    restoreFocus: true,
    hasBackdrop: true,
    ariaModal: true,
    ariaLabelledBy: `cairn-dialog-title-${data.id}`,
  });
  return firstValueFrom(ref.closed);
}
