export {
  SCREENS,
  NAV_SCREENS,
  screenByName,
  type Screen,
  type ScreenName,
  type NavScreenName,
} from './routes.ts';
export { createAppRouter } from './create.ts';
