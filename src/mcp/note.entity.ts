import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Data behind the demo MCP tools notes_add / notes_list, one owner per note. */
@Entity({ name: 'notes' })
export class Note {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  /** The token subject that owns the note (a user id, or a client id for client_credentials). */
  @Index('IDX_notes_owner')
  @Column({ name: 'owner', type: 'text' })
  owner: string;

  @Column({ name: 'text', type: 'text' })
  text: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
