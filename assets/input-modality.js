// Radix Tabs focus the trigger from script on mouse down, so Chrome shows the keyboard
// focus ring after a click whenever the visitor typed anything earlier. Remember whether
// the last input was a pointer; styles.css hides that ring until a key is pressed again.
document.addEventListener("pointerdown", () => { document.documentElement.dataset.pointerInput = ""; }, true);
document.addEventListener("keydown", () => { delete document.documentElement.dataset.pointerInput; }, true);
