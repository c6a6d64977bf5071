export {
  ApiError,
  MISSING_BRIDGE_MESSAGE,
  createPhoneApi,
  createUnavailableApi,
  connectPhoneApi,
  failureOf,
  type PhoneApi,
  type BridgeHost,
} from './client.ts';
export { PHONE_API, providePhoneApi, usePhoneApi } from './inject.ts';
