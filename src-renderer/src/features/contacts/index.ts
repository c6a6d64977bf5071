export { default as ContactsView } from './ContactsView.vue';
