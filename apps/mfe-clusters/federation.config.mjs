import { withNativeFederation } from '@angular-architects/native-federation/config';
import { features, shared, skip } from '../../tools/federation/shared.mjs';

export default withNativeFederation({
  name: 'mfe-clusters',
  exposes: {
    './routes': './apps/mfe-clusters/src/app/app.routes.ts',
  },
  shared,
  skip,
  features,
});
