#!/usr/bin/env node
'use strict';
// The create-msb-app command; the code is compiled from src/cli/ to lib/cli/.
require('../lib/cli/main.js').main();
