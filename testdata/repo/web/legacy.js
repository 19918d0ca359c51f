// Legacy form validation, kept for old browsers.
function validateEmail(value) {
  return /^[^@\s]+@[^@\s]+$/.test(value);
}

class FormValidator {
  constructor(form) {
    this.form = form;
  }

  check() {
    return validateEmail(this.form.email);
  }
}

module.exports = { validateEmail, FormValidator };
