// Starts build/tools/lorad on free loopback ports (HTTP and Bolt) in a scratch directory,
// reads the ports it prints, and stops it. LORAD names the binary (set by ctest).
'use strict'

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

async function startLorad (args = []) {
  const bin = process.env.LORAD
  if (!bin) throw new Error('LORAD must name the lorad binary')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-bolt-js-'))
  const child = spawn(bin, ['--http', '127.0.0.1:0', '--bolt', '127.0.0.1:0', '--data',
    path.join(dir, 'data'), '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', d => { stderr += d })
  const lines = readline.createInterface({ input: child.stdout })
  const ports = await new Promise((resolve, reject) => {
    const found = {}
    const timer = setTimeout(() => reject(new Error('lorad did not start: ' + stderr)), 60000)
    lines.on('line', line => {
      let m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line)
      if (m) found.http = Number(m[1])
      m = /^bolt listening on 127\.0\.0\.1:(\d+)$/.exec(line)
      if (m) {
        found.bolt = Number(m[1])
        clearTimeout(timer)
        resolve(found)
      }
    })
    child.on('exit', code => {
      clearTimeout(timer)
      reject(new Error(`lorad exited with ${code}: ${stderr}`))
    })
  })
  return {
    ...ports,
    pid: child.pid,
    stderr: () => stderr,
    // Resident memory of lorad in bytes (Linux /proc).
    rss: () => {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024
    },
    stop: () => new Promise(resolve => {
      if (child.exitCode !== null) {
        fs.rmSync(dir, { recursive: true, force: true })
        return resolve(child.exitCode)
      }
      child.removeAllListeners('exit')
      child.on('exit', code => {
        fs.rmSync(dir, { recursive: true, force: true })
        resolve(code)
      })
      child.kill('SIGTERM')
    })
  }
}

module.exports = { startLorad }
