import { withNativeFederation } from '@angular-architects/native-federation/config';
import { features, shared, skip } from '../../tools/federation/shared.mjs';

export default withNativeFederation({
  name: 'mfe-workloads',
  exposes: {
    './routes': './apps/mfe-workloads/src/app/app.routes.ts',
  },
  shared,
  skip,
  features,
});
