/**
 * `@cairn/ui-kit-yaml`: an object's YAML (`YamlView`), the editor that checks a draft before it
 * applies (`YamlEditor`), its sibling for new objects (`YamlCreate`), and the unified diff
 * (`DiffView`, `lineDiff`) they and a workload's revisions show. Shared as its own singleton
 * bundle, loaded by the pages that show YAML or a diff, not by every list page.
 */
export { YamlView } from './lib/yaml/yaml-view';
export { YamlEditor } from './lib/yaml/yaml-editor';
export { CODE_EDITOR_LOADER, CodeEditor } from './lib/yaml/code-editor';
export { lineOfField, parseYamlObject, toYaml, yamlProblem } from './lib/yaml/yaml-problem';
export { YamlCreate } from './lib/yaml/yaml-create';
export type { ProblemPosition } from './lib/yaml/yaml-problem';
export { fieldChanges } from './lib/yaml/field-changes';
export type { FieldChange } from './lib/yaml/field-changes';
export { lineDiff } from './lib/yaml/line-diff';
export { DiffView } from './lib/yaml/diff-view';
export type { DiffLine } from './lib/yaml/line-diff';
