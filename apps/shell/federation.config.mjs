import { withNativeFederation } from '@angular-architects/native-federation/config';
import { features, shared, skip } from '../../tools/federation/shared.mjs';

export default withNativeFederation({
  name: 'shell',
  shared,
  skip,
  features,
});
