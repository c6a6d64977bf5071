/** Moves keyboard focus to the heading of the screen inside `container` (see UiView). */
export function focusViewHeading(container: HTMLElement | null | undefined): void {
  container?.querySelector<HTMLElement>('[data-view-heading]')?.focus();
}
