// The inputs' public face, where the rest of src/ imports them from: the table is table.ts, the
// parsers parse.ts, the reading read.ts, the runner's source runner.ts.
export { InputError } from './parse.js'
export { DEFAULTS, INPUT_NAMES, INPUT_TABLE, row, type InputName, type Inputs, type Row } from './table.js'
export { closest, defaultInputs, readInputs, type InputSource } from './read.js'
export { actionInputs } from './runner.js'
