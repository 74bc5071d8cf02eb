// neo4j-driver 5.28 (Bolt 5.8).
'use strict'
require('./suite').suite(require('neo4j-driver-5'), { major: 5, bolt: 5.8 })
