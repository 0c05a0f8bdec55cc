/**
 * The CDK overlay's own layout rules, for a dialog that lives in the overlay container at the end
 * of <body>, outside any view's styles: a dialog component (encapsulation None) lists them first
 * in its `styles`, so a remote needs no global stylesheet.
 */
export const OVERLAY_STYLES = `
    .cdk-overlay-container, .cdk-global-overlay-wrapper { pointer-events: none; top: 0; left: 0; height: 100%; width: 100%; }
    .cdk-overlay-container { position: fixed; z-index: 1000; }
    .cdk-overlay-container:empty { display: none; }
    .cdk-global-overlay-wrapper { display: flex; position: absolute; z-index: 1000; }
    .cdk-overlay-pane { position: absolute; pointer-events: auto; box-sizing: border-box; display: flex; max-width: 100%; max-height: 100%; z-index: 1000; }
    .cdk-overlay-backdrop { position: absolute; inset: 0; pointer-events: auto; z-index: 1000; background: rgba(1, 4, 9, 0.45); }
    .cdk-dialog-container { display: block; width: 100%; outline: 0; }
`;

