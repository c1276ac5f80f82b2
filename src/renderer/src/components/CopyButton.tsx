import { useEffect, useRef, useState } from 'react'
import { Check, Copy } from 'lucide-react'
import { copyText } from '../lib/clipboard'
import { messageOf } from '../lib/client'
import { notify } from '../store/notices'
import { IconButton, type IconButtonProps } from './Button'

interface CopyButtonProps extends Omit<IconButtonProps, 'onClick' | 'children'> {
  /** The text, or how to get it (e.g. ask the service for the pull command). */
  text: string | (() => Promise<string>)
}

/** Copies and shows a check for a moment; a failure says why (never silent). */
export function CopyButton({ text, label, ...rest }: CopyButtonProps) {
  const [copied, setCopied] = useState(false)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  return (
    <IconButton
      {...rest}
      label={copied ? 'Copied' : label}
      onClick={async (e) => {
        e.stopPropagation()
        try {
          await copyText(typeof text === 'string' ? text : await text())
          setCopied(true)
          clearTimeout(timer.current)
          timer.current = setTimeout(() => setCopied(false), 1500)
        } catch (err) {
          notify({ kind: 'error', title: 'Could not copy', message: messageOf(err) })
        }
      }}
    >
      {copied ? <Check className="size-3.5 text-success" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
    </IconButton>
  )
}
