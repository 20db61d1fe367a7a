// Rich-text note editor for Reflex (see editor.py for the Python side and usage).
// TipTap (ProseMirror) with a toolbar: bold, italic, underline, H2/H3, bullet and ordered
// lists, link, quote. Emits the editor's HTML through onSave(html); the server sanitizes it.
// `resetKey` changes -> the editor reloads `content` (e.g. cleared after a note is saved).
import React, { useEffect, useRef, useState } from "react";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import Underline from "@tiptap/extension-underline";
import Link from "@tiptap/extension-link";
import { Placeholder } from "@tiptap/extensions";
import { Button, Flex, IconButton, Separator, TextField, Tooltip } from "@radix-ui/themes";
import {
  Bold,
  Heading2,
  Heading3,
  Italic,
  Link as LinkIcon,
  List,
  ListOrdered,
  Quote,
  Underline as UnderlineIcon,
} from "lucide-react";

const EDITOR_CSS = `
.crm-rte { border: 1px solid var(--gray-6); border-radius: 10px; background: var(--color-panel-solid); }
.crm-rte:focus-within { border-color: var(--accent-8); box-shadow: 0 0 0 1px var(--accent-8); }
.crm-rte-toolbar { padding: 6px 8px; border-bottom: 1px solid var(--gray-5); flex-wrap: wrap; }
.crm-rte .ProseMirror { min-height: 110px; max-height: 420px; overflow-y: auto; padding: 12px 14px;
  outline: none; font-size: 14px; line-height: 1.6; color: var(--gray-12); }
.crm-rte .ProseMirror p { margin: 0 0 6px 0; }
.crm-rte .ProseMirror h2 { font-size: 18px; font-weight: 700; margin: 10px 0 6px; }
.crm-rte .ProseMirror h3 { font-size: 16px; font-weight: 700; margin: 8px 0 4px; }
.crm-rte .ProseMirror ul, .crm-rte .ProseMirror ol { padding-left: 22px; margin: 4px 0 8px; }
.crm-rte .ProseMirror ul { list-style-type: disc; }
.crm-rte .ProseMirror ol { list-style-type: decimal; }
.crm-rte .ProseMirror li > p { margin: 0; }
.crm-rte .ProseMirror blockquote { border-left: 3px solid var(--gray-7); margin: 6px 0; padding: 2px 0 2px 12px;
  color: var(--gray-11); }
.crm-rte .ProseMirror a { color: var(--accent-11); text-decoration: underline; }
.crm-rte .ProseMirror code { background: var(--gray-3); border-radius: 4px; padding: 1px 4px; font-size: 13px; }
.crm-rte .ProseMirror p.is-editor-empty:first-child::before { content: attr(data-placeholder);
  color: var(--gray-9); float: left; height: 0; pointer-events: none; }
.crm-rte-footer { padding: 8px 10px; border-top: 1px solid var(--gray-4); }
`;

function useEditorCss() {
  useEffect(() => {
    if (document.getElementById("crm-rte-css")) return;
    const tag = document.createElement("style");
    tag.id = "crm-rte-css";
    tag.textContent = EDITOR_CSS;
    document.head.appendChild(tag);
  }, []);
}

function ToolButton({ label, active, onClick, children }) {
  return (
    <Tooltip content={label}>
      <IconButton
        type="button"
        size="1"
        variant={active ? "soft" : "ghost"}
        color={active ? undefined : "gray"}
        aria-label={label}
        aria-pressed={active ? "true" : "false"}
        onMouseDown={(e) => e.preventDefault()}
        onClick={onClick}
        style={{ margin: "0 2px" }}
      >
        {children}
      </IconButton>
    </Tooltip>
  );
}

export function RichTextEditor({
  content = "",
  resetKey = "",
  placeholder = "Write a note…",
  saveLabel = "Save note",
  saving = false,
  showCancel = false,
  onSave,
  onCancel,
  ariaLabel = "Note",
}) {
  useEditorCss();
  const [linkOpen, setLinkOpen] = useState(false);
  const [linkUrl, setLinkUrl] = useState("");
  const [empty, setEmpty] = useState(true);
  const editor = useEditor({
    immediatelyRender: false,
    extensions: [
      StarterKit.configure({ heading: { levels: [2, 3] }, link: false, underline: false }),
      Underline,
      Link.configure({
        openOnClick: false,
        autolink: true,
        protocols: ["http", "https", "mailto"],
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: "_blank" },
      }),
      Placeholder.configure({ placeholder }),
    ],
    content,
    editorProps: { attributes: { "aria-label": ariaLabel, role: "textbox", "aria-multiline": "true" } },
    onUpdate: ({ editor }) => setEmpty(editor.isEmpty),
    onCreate: ({ editor }) => setEmpty(editor.isEmpty),
  });
  const lastReset = useRef(resetKey);
  useEffect(() => {
    if (!editor || lastReset.current === resetKey) return;
    lastReset.current = resetKey;
    editor.commands.setContent(content || "");
    setEmpty(editor.isEmpty);
  }, [editor, resetKey, content]);

  const state = useEditorState({
    editor,
    selector: ({ editor }) =>
      editor
        ? {
            bold: editor.isActive("bold"),
            italic: editor.isActive("italic"),
            underline: editor.isActive("underline"),
            h2: editor.isActive("heading", { level: 2 }),
            h3: editor.isActive("heading", { level: 3 }),
            bullet: editor.isActive("bulletList"),
            ordered: editor.isActive("orderedList"),
            link: editor.isActive("link"),
            quote: editor.isActive("blockquote"),
          }
        : {},
  }) || {};

  const chain = () => editor.chain().focus();
  const save = () => {
    if (!editor || editor.isEmpty || !onSave) return;
    onSave(editor.getHTML());
  };
  const openLink = () => {
    setLinkUrl(editor.getAttributes("link").href || "");
    setLinkOpen(true);
  };
  const applyLink = () => {
    const url = linkUrl.trim();
    if (!url) {
      chain().extendMarkRange("link").unsetLink().run();
    } else {
      const href = /^(https?:|mailto:)/i.test(url) ? url : `https://${url}`;
      chain().extendMarkRange("link").setLink({ href }).run();
    }
    setLinkOpen(false);
  };

  if (!editor) return <div className="crm-rte" style={{ minHeight: "170px" }} />;
  return (
    <div className="crm-rte" data-rich-text-editor="">
      <Flex className="crm-rte-toolbar" align="center" gap="1" role="toolbar" aria-label="Formatting">
        <ToolButton label="Bold" active={state.bold} onClick={() => chain().toggleBold().run()}><Bold size={15} /></ToolButton>
        <ToolButton label="Italic" active={state.italic} onClick={() => chain().toggleItalic().run()}><Italic size={15} /></ToolButton>
        <ToolButton label="Underline" active={state.underline} onClick={() => chain().toggleUnderline().run()}><UnderlineIcon size={15} /></ToolButton>
        <Separator orientation="vertical" size="1" style={{ margin: "0 4px" }} />
        <ToolButton label="Heading 2" active={state.h2} onClick={() => chain().toggleHeading({ level: 2 }).run()}><Heading2 size={15} /></ToolButton>
        <ToolButton label="Heading 3" active={state.h3} onClick={() => chain().toggleHeading({ level: 3 }).run()}><Heading3 size={15} /></ToolButton>
        <Separator orientation="vertical" size="1" style={{ margin: "0 4px" }} />
        <ToolButton label="Bullet list" active={state.bullet} onClick={() => chain().toggleBulletList().run()}><List size={15} /></ToolButton>
        <ToolButton label="Numbered list" active={state.ordered} onClick={() => chain().toggleOrderedList().run()}><ListOrdered size={15} /></ToolButton>
        <ToolButton label="Quote" active={state.quote} onClick={() => chain().toggleBlockquote().run()}><Quote size={15} /></ToolButton>
        <ToolButton label="Link" active={state.link} onClick={openLink}><LinkIcon size={15} /></ToolButton>
      </Flex>
      {linkOpen ? (
        <Flex gap="2" align="center" style={{ padding: "8px 10px", borderBottom: "1px solid var(--gray-5)" }}>
          <TextField.Root
            size="1"
            autoFocus
            placeholder="https://example.com"
            aria-label="Link address"
            value={linkUrl}
            onChange={(e) => setLinkUrl(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") { e.preventDefault(); applyLink(); }
              if (e.key === "Escape") setLinkOpen(false);
            }}
            style={{ flex: 1 }}
          />
          <Button size="1" type="button" onClick={applyLink}>Apply</Button>
          <Button size="1" type="button" variant="soft" color="gray" onClick={() => setLinkOpen(false)}>Cancel</Button>
        </Flex>
      ) : null}
      <EditorContent
        editor={editor}
        onKeyDown={(e) => {
          if ((e.metaKey || e.ctrlKey) && e.key === "Enter") { e.preventDefault(); save(); }
        }}
      />
      <Flex className="crm-rte-footer" justify="end" gap="2" align="center">
        {showCancel ? (
          <Button size="2" type="button" variant="soft" color="gray" onClick={() => onCancel && onCancel()}>Cancel</Button>
        ) : null}
        <Button size="2" type="button" disabled={empty || saving} loading={saving} onClick={save}>{saveLabel}</Button>
      </Flex>
    </div>
  );
}
