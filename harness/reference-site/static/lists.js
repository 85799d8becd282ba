// Superlists: hide the validation error as soon as the user types again.
(() => {
  const wire = () => {
    const input = document.querySelector('#id_text');
    if (!input) return;
    input.addEventListener('input', () => {
      input.classList.remove('is-invalid');
    });
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', wire);
  } else {
    wire();
  }
})();
