/** Entry point of the renderer: the app over the bridge the host put on `window.softphone`. */
import './styles/base.css';
import { connectPhoneApi } from './api/index.ts';
import { languageFromPreferences } from './i18n/index.ts';
import { createRendererApp } from './create-app.ts';

const { app } = createRendererApp({
  api: connectPhoneApi(),
  language: languageFromPreferences(navigator.languages),
});
app.mount('#app');
