/* A Bootstrap modal that can be hidden while it is still fading in: Bootstrap ignores hide()
 * during the show transition, so a quick "deploy" click would leave the dialog open. */

export function createModal(node) {
  const modal = window.bootstrap ? new window.bootstrap.Modal(node) : null;
  let shown = false;
  let hideWanted = false;
  node.addEventListener('shown.bs.modal', function() {
    shown = true;
    if (hideWanted) {
      hideWanted = false;
      modal.hide();
    }
  });
  node.addEventListener('hidden.bs.modal', function() {
    shown = false;
  });
  return {
    show() {
      hideWanted = false;
      if (modal) {
        modal.show();
      }
    },
    hide() {
      if (!modal) {
        return;
      }
      if (shown) {
        modal.hide();
      } else {
        hideWanted = true;
      }
    }
  };
}
