// The builder's logic lives in ../build-with-plugins.mjs, where Nx's build cache key sees it (.nxignore hides this folder).
export { builder as default } from '../build-with-plugins.mjs';
