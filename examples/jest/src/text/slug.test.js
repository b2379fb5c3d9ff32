'use strict';

const { slug } = require('./slug');

describe('slug', () => {
  test.each([
    ['Hello, World', 'hello-world'],
    ['  spaces  around ', 'spaces-around'],
    ['Crème Brûlée', 'creme-brulee'],
    ['a--b__c', 'a-b-c'],
    ['100% sure', '100-sure'],
    ['', ''],
  ])('%p becomes %p', (title, want) => {
    expect(slug(title)).toBe(want);
  });

  test.skip('transliterates Greek (not yet)', () => {
    expect(slug('Αθήνα')).toBe('athina');
  });
});
