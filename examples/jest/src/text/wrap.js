'use strict';

// wrap breaks text into lines of at most width characters at spaces; a
// word longer than width gets a line of its own.
function wrap(text, width) {
  if (!(width > 0)) throw new RangeError(`width must be positive, got ${width}`);
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line === '') {
      line = word;
    } else if (line.length + 1 + word.length <= width) {
      line += ` ${word}`;
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

module.exports = { wrap };
