import { render, screen } from '@testing-library/react'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { engineStatus, fakeBerth, registryStatus, storageUsage } from '../../test/fake-berth'
import { UsageSummary } from '../storage/UsageSummary'
import { RegistryHeader } from './RegistryHeader'

const wrap = (ui: ReactNode) => render(<Tooltip.Provider>{ui}</Tooltip.Provider>)
const disk = (level: 'ok' | 'low' | 'full', freeBytes: number) => ({ freeBytes, totalBytes: 25e6, reserveBytes: 1.2e6, level, volume: '/mnt/registry' })

describe('the data folder’s state in the window', () => {
  beforeEach(() => {
    fakeBerth()
    useImages.setState({ engine: engineStatus() })
  })

  it('a full disk is a badge in the header that says what to do, and a notice in the Storage view', () => {
    useRegistry.setState({ status: registryStatus({ disk: disk('full', 800e3) }) })
    wrap(<RegistryHeader />)
    const badge = screen.getByText('Disk full')
    expect(badge.closest('[title]')?.getAttribute('title')).toMatch(/800 kB free on \/mnt\/registry, so pushes are refused; free space there .*bigger disk/)
    wrap(<UsageSummary usage={storageUsage()} />)
    expect(screen.getByRole('alert', { name: 'Disk full' })).toHaveTextContent(/Disk full: pushes are refused.*800 kB free on \/mnt\/registry/)
  })

  it('a low disk is a warning; a healthy one shows nothing', () => {
    useRegistry.setState({ status: registryStatus({ disk: disk('low', 2e6) }) })
    const { unmount } = wrap(<RegistryHeader />)
    expect(screen.getByText(/Disk low:/)).toHaveTextContent('Disk low: 2.0 MB free')
    unmount()
    useRegistry.setState({ status: registryStatus({ disk: disk('ok', 20e9) }) })
    wrap(<RegistryHeader />)
    expect(screen.queryByText(/Disk (low|full)/)).toBeNull()
  })

  it('a data folder gone while serving reads as waiting for it, not as a failed start, and offers Stop', () => {
    const message = 'The data folder /data is gone (moved, deleted or its disk unmounted); put it back or mount the disk again and Berth serves it again, or choose another folder in Settings.'
    useRegistry.setState({ status: registryStatus({ state: 'error', error: { code: 'FOLDER_GONE', message } }) })
    wrap(<RegistryHeader />)
    expect(screen.getByRole('status', { name: 'Registry waiting for its folder' })).toBeInTheDocument()
    expect(screen.getByText('Data folder gone').closest('[title]')?.getAttribute('title')).toBe(message)
    expect(screen.getByRole('button', { name: 'Stop registry' })).toBeEnabled()
  })
})
