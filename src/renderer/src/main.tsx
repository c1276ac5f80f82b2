import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './styles.css'
import { App } from './App'
import { takeTokenFromAddress } from './lib/client'
import { bindStores } from './store/bind'
import { useRegistry } from './store/registry'

takeTokenFromAddress()
bindStores((connection) => useRegistry.setState({ connection }))

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>
)
