export { SCREENS, screenByName, type Screen, type ScreenName } from './routes.ts';
export { createAppRouter } from './create.ts';
