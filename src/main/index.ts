// Electron entry: everything Electron-specific lives in ./shell.
import { boot } from './shell/app'

void boot()
