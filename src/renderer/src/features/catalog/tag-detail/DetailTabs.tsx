import { useState } from 'react'
import { Tabs } from 'radix-ui'
import type { ManifestDetail } from '@shared/model/catalog'
import { ConfigTab } from './ConfigTab'
import { HistoryTab } from './HistoryTab'
import { LayersTab } from './LayersTab'
import { ManifestTab } from './ManifestTab'
import { PlatformsTab } from './PlatformsTab'
import { SupplyChainTab } from './SupplyChainTab'

const SUPPLY_CHAIN = { id: 'supply-chain', label: 'Signatures & SBOMs' }

/** The tabs of a manifest: layers, config and history of an image; platforms of an index; the raw JSON of both. */
export function DetailTabs({ data }: { data: ManifestDetail }) {
  const tabs =
    data.kind === 'index'
      ? [{ id: 'platforms', label: `Platforms (${data.children.filter((c) => !c.attestation).length})` }, SUPPLY_CHAIN, { id: 'manifest', label: 'Manifest' }]
      : [
          { id: 'layers', label: `Layers (${data.layers.length})` },
          ...(data.image ? [{ id: 'config', label: 'Config' }, { id: 'history', label: `History (${data.image.history.length})` }] : []),
          SUPPLY_CHAIN,
          { id: 'manifest', label: 'Manifest' }
        ]
  const [tab, setTab] = useState(tabs[0].id)
  const value = tabs.some((t) => t.id === tab) ? tab : tabs[0].id
  return (
    <Tabs.Root value={value} onValueChange={setTab} className="flex min-h-0 flex-1 flex-col">
      <Tabs.List aria-label="Manifest details" className="flex shrink-0 gap-1 border-b border-line px-3">
        {tabs.map((t) => (
          <Tabs.Trigger
            key={t.id}
            value={t.id}
            className="-mb-px rounded-t border-b-2 border-transparent px-2 py-2 text-[12px] font-medium text-muted outline-none hover:text-fg focus-visible:ring-2 focus-visible:ring-accent/50 data-[state=active]:border-accent data-[state=active]:text-fg"
          >
            {t.label}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <Tabs.Content value="layers" className="outline-none">
          <LayersTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="config" className="outline-none">
          <ConfigTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="history" className="outline-none">
          <HistoryTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="platforms" className="outline-none">
          <PlatformsTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="supply-chain" className="outline-none">
          <SupplyChainTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="manifest" className="outline-none">
          <ManifestTab data={data} />
        </Tabs.Content>
      </div>
    </Tabs.Root>
  )
}
