export {
  THEMES,
  resolveColorScheme,
  useSystemPrefersDark,
  useDocumentTheme,
  type Theme,
  type ColorScheme,
} from './theme.ts';
