/** Entry point of the renderer: the app over the bridge the host put on `window.softphone`. */
import './zod-jitless.ts';
import './styles/base.css';
import { connectPhoneApi } from './api/index.ts';
import { languageFromPreferences } from './i18n/index.ts';
import { createRendererApp } from './create-app.ts';
import { provideCallAudio, startCallAudio } from './audio/index.ts';

const api = connectPhoneApi();
const { app } = createRendererApp({
  api,
  language: languageFromPreferences(navigator.languages),
});
// Call audio listens for the phone's per-call ports from the start, whatever screen is shown.
provideCallAudio(app, startCallAudio(api));
app.mount('#app');
