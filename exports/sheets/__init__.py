"""The workbook's sheets, one module each; ``common`` holds what they share (formats, the text
door, page setup). The numbers come from ``exports.tally``; ``exports.workbook`` puts the
sheets together."""
