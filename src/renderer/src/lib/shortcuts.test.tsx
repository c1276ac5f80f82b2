import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { SearchField } from '../components/SearchField'
import { useGlobalShortcuts } from './shortcuts'

function View() {
  useGlobalShortcuts()
  return (
    <>
      <SearchField label="Search repositories" value="" onChange={() => {}} primary onArrowDown={() => document.getElementById('list')?.focus()} />
      <input aria-label="Other field" />
      <div id="list" role="listbox" aria-label="List" tabIndex={0} />
    </>
  )
}

describe('keyboard shortcuts', () => {
  it('/ and Ctrl+K focus the search; a / typed into a field stays a character; Arrow Down moves into the list', async () => {
    render(<View />)
    await userEvent.keyboard('/')
    expect(screen.getByRole('searchbox', { name: 'Search repositories' })).toHaveFocus()
    await userEvent.keyboard('{ArrowDown}')
    expect(screen.getByRole('listbox', { name: 'List' })).toHaveFocus()
    await userEvent.keyboard('{Control>}k{/Control}')
    expect(screen.getByRole('searchbox', { name: 'Search repositories' })).toHaveFocus()
    await userEvent.click(screen.getByRole('textbox', { name: 'Other field' }))
    await userEvent.keyboard('a/b')
    expect(screen.getByRole('textbox', { name: 'Other field' })).toHaveValue('a/b')
  })
})
