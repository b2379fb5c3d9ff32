'use strict';

// slug turns a title into a URL path segment: lower case ASCII letters,
// digits and single dashes.
function slug(title) {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

module.exports = { slug };
